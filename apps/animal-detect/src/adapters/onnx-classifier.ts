import ort from 'onnxruntime-node';
import { speciesMass } from '../domain/imagenet-species.js';
import { onnxSessionOptions } from './onnx-session-options.js';

export interface OnnxClassifierOptions {
  modelPath: string;
  /** Threads for one inference (default: all cores). */
  threads?: number;
}

/**
 * The second stage on onnxruntime-node, used inside the inference worker: an ImageNet-1k
 * classifier (`image` [N, 3, S, S] RGB in 0..255, normalisation inside the model;
 * `probabilities` [N, 1000]) run on square crops of the detector's animals, its classes summed
 * per COCO animal.
 */
export class OnnxClassifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputSize: number,
    private readonly inputName: string,
  ) {}

  static async load(opts: OnnxClassifierOptions): Promise<OnnxClassifier> {
    const session = await ort.InferenceSession.create(opts.modelPath, onnxSessionOptions(opts.threads));
    const inputName = session.inputNames[0];
    const meta = session.inputMetadata[0];
    const shape = meta && 'shape' in meta ? meta.shape : [];
    const size = Number(shape[2]);
    if (!inputName || !Number.isInteger(size) || size <= 0 || shape[3] !== shape[2] || shape[1] !== 3) {
      throw new Error(`${opts.modelPath}: expected an N x 3 x S x S input, found ${JSON.stringify(shape)}`);
    }
    const output = session.outputMetadata[0];
    const outShape = output && 'shape' in output ? output.shape : [];
    if (outShape[1] !== 1000) {
      throw new Error(
        `${opts.modelPath}: expected 1000 ImageNet classes out, found ${JSON.stringify(outShape)}`,
      );
    }
    return new OnnxClassifier(session, size, inputName);
  }

  /** `crops`: each inputSize x inputSize packed RGB; one map of species → probability per crop. */
  async classify(crops: readonly Uint8Array[]): Promise<Map<string, number>[]> {
    if (crops.length === 0) return [];
    const s = this.inputSize;
    const plane = s * s;
    const input = new Float32Array(crops.length * 3 * plane);
    crops.forEach((rgb, n) => {
      if (rgb.length !== plane * 3) throw new Error(`crop has ${rgb.length} bytes, expected ${plane * 3}`);
      const base = n * 3 * plane;
      for (let c = 0; c < 3; c++) {
        const offset = base + c * plane;
        for (let i = 0; i < plane; i++) input[offset + i] = rgb[i * 3 + c] as number;
      }
    });
    const outputs = await this.session.run({
      [this.inputName]: new ort.Tensor('float32', input, [crops.length, 3, s, s]),
    });
    const probs = Object.values(outputs)[0]?.data as Float32Array | undefined;
    if (!probs || probs.length !== crops.length * 1000)
      throw new Error('the classifier gave no probabilities');
    return crops.map((_, n) => speciesMass(probs.subarray(n * 1000, (n + 1) * 1000)));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
