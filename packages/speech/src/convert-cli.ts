import { convertFiles } from './ct2-to-ggml.js';

const [model, tokenizer, out] = process.argv.slice(2);
if (!model || !tokenizer || !out) {
  console.error('usage: convert-cli <model.bin> <tokenizer.json> <out.bin>');
  process.exit(2);
}
const n = convertFiles(model, tokenizer, out);
console.log(`wrote ${n} tensors to ${out}`);
