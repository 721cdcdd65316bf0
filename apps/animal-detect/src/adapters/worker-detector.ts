import { Worker } from 'node:worker_threads';
import type { Detector, RawDetection } from '../domain/analyze.js';
import type { ModelInfo } from '../domain/types.js';
import { INFERENCE_WORKER, type WorkerInit, type WorkerReply } from './inference-worker.js';
import type { OnnxDetectorOptions } from './onnx-detector.js';

/**
 * The detector seen from the HTTP side: the model lives in one worker thread (loaded once per
 * process), so inference never blocks the event loop. Frames are transferred, not copied.
 */
export class WorkerDetector implements Detector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(d: RawDetection[]): void; reject(e: Error): void }>();
  private failure?: Error;

  private constructor(
    private readonly worker: Worker,
    readonly info: ModelInfo,
  ) {
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type !== 'result' && msg.type !== 'error') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg.detections);
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
  ): Promise<WorkerDetector> {
    const workerData = { role: INFERENCE_WORKER, detector } satisfies WorkerInit;
    const worker = entry.pathname.endsWith('.ts')
      ? new Worker(typeScriptBootstrap(entry), { eval: true, workerData })
      : new Worker(entry, { workerData });
    const inputSize = await new Promise<number>((resolve, reject) => {
      const onMessage = (msg: WorkerReply) => {
        if (msg.type === 'ready') resolve(msg.inputSize);
        else if (msg.type === 'fatal') reject(new Error(`could not load the detector model: ${msg.message}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the inference worker exited (code ${code}) while loading`)),
      );
    }).catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    });
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    return new WorkerDetector(worker, { ...model, inputSize });
  }

  get healthy(): boolean {
    return !this.failure;
  }

  detect(rgb: Uint8Array, minScore: number): Promise<RawDetection[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const transferable = rgb.byteOffset === 0 && rgb.byteLength === rgb.buffer.byteLength;
      this.worker.postMessage(
        { id, rgb, minScore },
        transferable && rgb.buffer instanceof ArrayBuffer ? [rgb.buffer] : [],
      );
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
