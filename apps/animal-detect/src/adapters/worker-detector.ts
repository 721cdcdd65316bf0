import { Worker } from 'node:worker_threads';
import type { Detector, RawDetection, SpeciesClassifier } from '../domain/analyze.js';
import type { ModelInfo } from '../domain/types.js';
import {
  INFERENCE_WORKER,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
} from './inference-worker.js';
import type { OnnxClassifierOptions } from './onnx-classifier.js';
import type { OnnxDetectorOptions } from './onnx-detector.js';

/** The second stage as the worker hosts it: its options, and what the domain is told of it. */
export interface WorkerClassifierSetup {
  options: OnnxClassifierOptions;
  info: Omit<SpeciesClassifier['info'], 'inputSize'>;
}

type Pending = { resolve(v: RawDetection[] | [string, number][][]): void; reject(e: Error): void };

/**
 * The detector seen from the HTTP side: the model lives in one worker thread (loaded once per
 * process), so inference never blocks the event loop. Frames are transferred, not copied. The
 * second stage, when configured, lives in the same thread (`classifier`): the two models take
 * turns on the cores instead of fighting over them.
 */
export class WorkerDetector implements Detector {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure?: Error;
  /** The second-stage port, when a classifier was loaded. */
  readonly classifier?: SpeciesClassifier;

  private constructor(
    private readonly worker: Worker,
    readonly info: ModelInfo,
    classifierInfo?: SpeciesClassifier['info'],
  ) {
    if (classifierInfo) {
      this.classifier = {
        info: classifierInfo,
        classify: async (crops) =>
          ((await this.request({ id: 0, kind: 'classify', crops }, [])) as [string, number][][]).map(
            (pairs) => new Map(pairs),
          ),
      };
    }
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type !== 'result' && msg.type !== 'opinions' && msg.type !== 'error') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg.detections);
      else if (msg.type === 'opinions') p.resolve(msg.opinions);
      else p.reject(new Error(`inference failed: ${msg.message}`));
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the inference worker exited (code ${code})`)));
  }

  /**
   * Starts the worker from `entry` (a module that calls `serveInference()` when
   * `isInferenceWorker()`), and waits until the model is loaded.
   */
  static async start(
    entry: URL,
    detector: OnnxDetectorOptions,
    model: Omit<ModelInfo, 'inputSize'>,
    classifier?: WorkerClassifierSetup,
  ): Promise<WorkerDetector> {
    const workerData = {
      role: INFERENCE_WORKER,
      detector,
      ...(classifier ? { classifier: classifier.options } : {}),
    } satisfies WorkerInit;
    const worker = entry.pathname.endsWith('.ts')
      ? new Worker(typeScriptBootstrap(entry), { eval: true, workerData })
      : new Worker(entry, { workerData });
    const sizes = await new Promise<{ inputSize: number; classifierInputSize?: number }>(
      (resolve, reject) => {
        const onMessage = (msg: WorkerReply) => {
          if (msg.type === 'ready') resolve(msg);
          else if (msg.type === 'fatal')
            reject(new Error(`could not load the detector model: ${msg.message}`));
          else return;
          worker.off('message', onMessage);
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        worker.once('exit', (code) =>
          reject(new Error(`the inference worker exited (code ${code}) while loading`)),
        );
      },
    ).catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    });
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    const classifierInfo =
      classifier && sizes.classifierInputSize
        ? { ...classifier.info, inputSize: sizes.classifierInputSize }
        : undefined;
    return new WorkerDetector(worker, { ...model, inputSize: sizes.inputSize }, classifierInfo);
  }

  get healthy(): boolean {
    return !this.failure;
  }

  async detect(rgb: Uint8Array, minScore: number): Promise<RawDetection[]> {
    const transferable = rgb.byteOffset === 0 && rgb.byteLength === rgb.buffer.byteLength;
    return (await this.request(
      { id: 0, kind: 'detect', rgb, minScore },
      transferable && rgb.buffer instanceof ArrayBuffer ? [rgb.buffer] : [],
    )) as RawDetection[];
  }

  private request(
    req: WorkerRequest,
    transfer: ArrayBuffer[],
  ): Promise<RawDetection[] | [string, number][][]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the detector is closed');
    await this.worker.terminate();
  }
}

/**
 * Run from sources (`node --import tsx src/main.ts`), the worker does not inherit the
 * TypeScript loader: register it in the worker before importing the entry.
 */
function typeScriptBootstrap(entry: URL): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry.href)}));`;
}
