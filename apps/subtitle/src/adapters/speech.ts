// The engine and the audio come from @vidp/speech (whisper.cpp, ffmpeg); this app only wires them.
export { createEngine, engineReadiness, extractPcm, frameEnergies, readPcmRanges } from '@vidp/speech';
