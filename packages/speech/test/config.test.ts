import { ConfigError, loadConfig } from '@vidp/service-kit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { speechConfigFields } from '../src/config.js';

const schema = z.object(speechConfigFields);

describe('speech settings', () => {
  it('defaults to two threads in two lanes', () => {
    const c = loadConfig(schema, {});
    expect(c.WHISPER_THREADS).toBe(2);
    expect(c.WHISPER_LANES).toBe(2);
    expect(loadConfig(schema, { WHISPER_LANES: '1' }).WHISPER_LANES).toBe(1);
  });

  it.each([['0'], ['17'], ['two'], ['1.5'], ['-1']])('refuses WHISPER_LANES=%s at start, naming it', (v) => {
    expect(() => loadConfig(schema, { WHISPER_LANES: v })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { WHISPER_LANES: v })).toThrow(/WHISPER_LANES/);
  });
});
