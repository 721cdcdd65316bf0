// How many encoder frames the engine host gives a piece of audio (whisper.cpp's `audio_ctx`).

/**
 * Encoder frames (20 ms each) for this much audio: the audio plus a margin, within Whisper's 30 s,
 * rounded up to a multiple of 16. The attention's second product (scores × values) runs over the
 * frames; llamafile's float16 kernel takes it only when their count is a multiple of 16 (its
 * AVX-512 width), else ggml's generic row-by-row dot products do: measured on a 17.2 s chunk, one
 * thread, 928 frames against 927: encoder 0.86–0.99 s against 1.46–1.55 s, the same words.
 * @param {number} samples 16 kHz samples
 * @returns {number}
 */
export function fittedAudioCtx(samples) {
  const frames = Math.max(256, Math.ceil((samples / 16000) * 50) + 64);
  return Math.min(1500, Math.ceil(frames / 16) * 16);
}
