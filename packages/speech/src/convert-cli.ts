import { convertFiles, GGML_WEIGHT_TYPES, type GgmlWeightType } from './ct2-to-ggml.js';

const [model, tokenizer, out, weights = 'f16'] = process.argv.slice(2);
if (!model || !tokenizer || !out || !(weights in GGML_WEIGHT_TYPES)) {
  console.error('usage: convert-cli <model.bin> <tokenizer.json> <out.bin> [f16|q8_0|q5_1]');
  process.exit(2);
}
const n = convertFiles(model, tokenizer, out, weights as GgmlWeightType);
console.log(`wrote ${n} tensors to ${out}`);
