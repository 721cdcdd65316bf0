import { availableParallelism } from 'node:os';
import type ort from 'onnxruntime-node';

/**
 * Session options for both models. onnxruntime's pool threads spin while they wait for work by
 * default; between two inferences (ffmpeg's next frame, the JS that turns it into a tensor) they
 * then burn a core that the other tasks on the machine need. Measured on NanoDet-416, 2 threads,
 * 40 inferences 10 ms apart: 4.4-7.4 CPU-s spinning against 3.5-4.3 not, for the same wall time.
 */
export function onnxSessionOptions(threads?: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads ?? availableParallelism(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}
