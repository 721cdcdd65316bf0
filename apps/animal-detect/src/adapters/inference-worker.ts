import { parentPort, workerData } from 'node:worker_threads';
import { OnnxDetector, type OnnxDetectorOptions } from './onnx-detector.js';

export const INFERENCE_WORKER = 'animal-detect-inference';

export interface WorkerInit {
  role: typeof INFERENCE_WORKER;
  detector: OnnxDetectorOptions;
}

export type WorkerRequest = { id: number; rgb: Uint8Array; minScore: number };
export type WorkerReply =
  | { type: 'ready'; inputSize: number }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; detections: import('../domain/analyze.js').RawDetection[] }
  | { type: 'error'; id: number; message: string };

export function isInferenceWorker(): boolean {
  return (workerData as WorkerInit | undefined)?.role === INFERENCE_WORKER;
}

/** The worker thread's side: loads the model once, then answers frames one at a time. */
export async function serveInference(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveInference must run in a worker thread');
  const init = workerData as WorkerInit;
  let detector: OnnxDetector;
  try {
    detector = await OnnxDetector.load(init.detector);
  } catch (err) {
    port.postMessage({ type: 'fatal', message: (err as Error).message } satisfies WorkerReply);
    return;
  }
  port.postMessage({ type: 'ready', inputSize: detector.inputSize } satisfies WorkerReply);
  // Requests are served in order: onnxruntime already uses every core for one frame.
  let queue = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const detections = await detector.detect(req.rgb, req.minScore);
        port.postMessage({ type: 'result', id: req.id, detections } satisfies WorkerReply);
      } catch (err) {
        port.postMessage({
          type: 'error',
          id: req.id,
          message: (err as Error).message,
        } satisfies WorkerReply);
      }
    });
  });
}
