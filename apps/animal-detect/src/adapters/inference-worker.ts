import { parentPort, workerData } from 'node:worker_threads';
import { OnnxClassifier, type OnnxClassifierOptions } from './onnx-classifier.js';
import { OnnxDetector, type OnnxDetectorOptions } from './onnx-detector.js';

export const INFERENCE_WORKER = 'animal-detect-inference';

export interface WorkerInit {
  role: typeof INFERENCE_WORKER;
  detector: OnnxDetectorOptions;
  /** The second stage, in the same thread: detector and classifier take turns on the cores. */
  classifier?: OnnxClassifierOptions;
}

export type WorkerRequest =
  | { id: number; kind: 'detect'; rgb: Uint8Array; minScore: number }
  | { id: number; kind: 'classify'; crops: Uint8Array[] };
export type WorkerReply =
  | { type: 'ready'; inputSize: number; classifierInputSize?: number }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; detections: import('../domain/analyze.js').RawDetection[] }
  | { type: 'opinions'; id: number; opinions: [string, number][][] }
  | { type: 'error'; id: number; message: string };

export function isInferenceWorker(): boolean {
  return (workerData as WorkerInit | undefined)?.role === INFERENCE_WORKER;
}

/** The worker thread's side: loads the models once, then answers requests one at a time. */
export async function serveInference(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveInference must run in a worker thread');
  const init = workerData as WorkerInit;
  let detector: OnnxDetector;
  let classifier: OnnxClassifier | undefined;
  try {
    detector = await OnnxDetector.load(init.detector);
    if (init.classifier) {
      classifier = await OnnxClassifier.load(init.classifier).catch((err: Error) => {
        throw new Error(`classifier: ${err.message}`);
      });
    }
  } catch (err) {
    port.postMessage({ type: 'fatal', message: (err as Error).message } satisfies WorkerReply);
    return;
  }
  port.postMessage({
    type: 'ready',
    inputSize: detector.inputSize,
    ...(classifier ? { classifierInputSize: classifier.inputSize } : {}),
  } satisfies WorkerReply);
  // Requests are served in order: onnxruntime already uses every core for one frame.
  let queue = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        if (req.kind === 'classify') {
          if (!classifier) throw new Error('no classifier is loaded');
          const opinions = (await classifier.classify(req.crops)).map((m) => [...m]);
          port.postMessage({ type: 'opinions', id: req.id, opinions } satisfies WorkerReply);
        } else {
          const detections = await detector.detect(req.rgb, req.minScore);
          port.postMessage({ type: 'result', id: req.id, detections } satisfies WorkerReply);
        }
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
