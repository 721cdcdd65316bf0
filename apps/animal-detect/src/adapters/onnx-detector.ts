import ort from 'onnxruntime-node';
import type { RawDetection } from '../domain/analyze.js';
import { decodeNanoDet, type NanoDetLevel } from './nanodet-decoder.js';
import { onnxSessionOptions } from './onnx-session-options.js';
import { decodeYolo } from './yolo-decoder.js';

/**
 * How to feed a model and read its answer: the supported families of detectors.
 * `nanodet`: BGR planes normalised with NanoDet's mean and deviation, GFL head outputs.
 * `yolov8`: RGB planes scaled to 0..1, one `[1, 4 + classes, anchors]` output.
 */
export type ModelFormat = 'nanodet' | 'yolov8';

export interface OnnxDetectorOptions {
  modelPath: string;
  format: ModelFormat;
  numClasses: number;
  /** Threads for one inference (default: all cores). */
  threads?: number;
}

// NanoDet's training normalisation, per BGR channel.
const NANODET_MEAN = [103.53, 116.28, 123.675];
const NANODET_STD = [57.375, 57.12, 58.395];

/**
 * A detector on onnxruntime-node, used inside the inference worker: loads the model once,
 * turns a letterboxed RGB frame into the model's input tensor, runs it, decodes the boxes.
 */
export class OnnxDetector {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly opts: OnnxDetectorOptions,
    readonly inputSize: number,
    private readonly inputName: string,
  ) {}

  static async load(opts: OnnxDetectorOptions): Promise<OnnxDetector> {
    const session = await ort.InferenceSession.create(opts.modelPath, onnxSessionOptions(opts.threads));
    const inputName = session.inputNames[0];
    if (!inputName) throw new Error(`${opts.modelPath}: the model has no input`);
    const meta = session.inputMetadata[0];
    const shape = meta && 'shape' in meta ? meta.shape : [];
    const size = Number(shape[2]);
    if (!Number.isInteger(size) || size <= 0 || shape[3] !== shape[2] || shape[1] !== 3) {
      throw new Error(`${opts.modelPath}: expected a 1x3xNxN input, found ${JSON.stringify(shape)}`);
    }
    return new OnnxDetector(session, opts, size, inputName);
  }

  /** `rgb`: inputSize x inputSize packed RGB. */
  async detect(rgb: Uint8Array, minScore: number): Promise<RawDetection[]> {
    const s = this.inputSize;
    const plane = s * s;
    if (rgb.length !== plane * 3) throw new Error(`frame has ${rgb.length} bytes, expected ${plane * 3}`);
    const input = new Float32Array(plane * 3);
    const yolo = this.opts.format === 'yolov8';
    for (let c = 0; c < 3; c++) {
      // NanoDet takes BGR planes normalised with its training mean and deviation; YOLO, RGB in 0..1.
      const target = yolo ? c : 2 - c;
      const mean = yolo ? 0 : (NANODET_MEAN[target] as number);
      const inv = yolo ? 1 / 255 : 1 / (NANODET_STD[target] as number);
      const base = target * plane;
      for (let i = 0; i < plane; i++) input[base + i] = ((rgb[i * 3 + c] as number) - mean) * inv;
    }
    const feeds = { [this.inputName]: new ort.Tensor('float32', input, [1, 3, s, s]) };
    const outputs = await this.session.run(feeds);
    if (yolo) {
      const first = Object.values(outputs)[0];
      if (!first) throw new Error('the model gave no output');
      return decodeYolo(first.data as Float32Array, this.opts.numClasses, minScore, s);
    }
    const levels = new Map<number, Partial<NanoDetLevel>>();
    for (const t of Object.values(outputs)) {
      const [, cells, width] = t.dims as number[];
      if (!cells || !width) continue;
      const stride = Math.round(s / Math.sqrt(cells));
      const level = levels.get(stride) ?? { stride };
      if (width === this.opts.numClasses) level.scores = t.data as Float32Array;
      else level.distances = t.data as Float32Array;
      levels.set(stride, level);
    }
    const complete = [...levels.values()].filter((l): l is NanoDetLevel => !!l.scores && !!l.distances);
    if (complete.length === 0) throw new Error('the model gave no NanoDet-shaped outputs');
    return decodeNanoDet(complete, s, this.opts.numClasses, minScore);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
