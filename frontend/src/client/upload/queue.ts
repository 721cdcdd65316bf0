// The upload queue: files waiting, sending (one at a time), paused, waiting for the network,
// done or refused. Knows nothing of React; the page subscribes to its snapshots.
import { TASKS, type TaskName } from '@/shared/video';
import { Transfer, type TransferEvents } from './tus-transfer';

export type UploadState = 'queued' | 'uploading' | 'paused' | 'offline' | 'finishing' | 'done' | 'error';

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  state: UploadState;
  sent: number;
  /** Bytes per second over the last few seconds. */
  speed: number;
  /** Seconds left at that speed. */
  etaSec: number | null;
  /** Where the server's offset let this upload go on from, when it resumed one. */
  resumedFrom: number | null;
  error: string | null;
  videoId: string | null;
  duplicate: boolean;
}

export interface UploadChoices {
  tasks: TaskName[];
  language: string;
}

interface Entry {
  item: UploadItem;
  transfer: Transfer;
  samples: { t: number; sent: number }[];
}

const SPEED_WINDOW_MS = 4000;

export class UploadQueue {
  private entries: Entry[] = [];
  private listeners = new Set<() => void>();
  private snapshot: UploadItem[] = [];
  private seq = 0;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): UploadItem[] => this.snapshot;

  private changed(): void {
    this.snapshot = this.entries.map((e) => e.item);
    for (const fn of this.listeners) fn();
  }

  private update(entry: Entry, patch: Partial<UploadItem>): void {
    entry.item = { ...entry.item, ...patch };
    this.changed();
  }

  add(files: File[], choices: UploadChoices): void {
    const chosen = { tasks: choices.tasks.length ? choices.tasks : [...TASKS], language: choices.language };
    for (const file of files) {
      this.entries.push({
        transfer: new Transfer(file, chosen),
        samples: [],
        item: {
          key: `u${++this.seq}`,
          name: file.name,
          size: file.size,
          state: 'queued',
          sent: 0,
          speed: 0,
          etaSec: null,
          resumedFrom: null,
          error: null,
          videoId: null,
          duplicate: false,
        },
      });
    }
    this.changed();
    this.next();
  }

  pause(key: string): void {
    const e = this.find(key);
    if (!e || (e.item.state !== 'uploading' && e.item.state !== 'queued' && e.item.state !== 'offline'))
      return;
    void e.transfer.pause();
    this.update(e, { state: 'paused', speed: 0, etaSec: null });
    this.next();
  }

  resume(key: string): void {
    const e = this.find(key);
    if (!e || (e.item.state !== 'paused' && e.item.state !== 'error' && e.item.state !== 'offline')) return;
    this.update(e, { state: 'queued', error: null });
    this.next();
  }

  remove(key: string): void {
    const e = this.find(key);
    if (!e) return;
    // Unfinished: the partial upload on the server is dropped as well.
    if (e.item.state !== 'done') void e.transfer.cancel();
    this.entries = this.entries.filter((x) => x !== e);
    this.changed();
    this.next();
  }

  /** Called when the browser is back online: uploads that lost the network go on. */
  online(): void {
    for (const e of this.entries) if (e.item.state === 'offline') this.update(e, { state: 'queued' });
    this.next();
  }

  private find(key: string): Entry | undefined {
    return this.entries.find((e) => e.item.key === key);
  }

  /** One upload at a time: the whole bandwidth for the first file, then the next. */
  private next(): void {
    if (this.entries.some((e) => e.item.state === 'uploading' || e.item.state === 'finishing')) return;
    const e = this.entries.find((x) => x.item.state === 'queued');
    if (!e) return;
    this.update(e, { state: 'uploading', error: null });
    e.samples = [];
    const events: TransferEvents = {
      onResumed: (offset) => this.update(e, { resumedFrom: offset, sent: offset }),
      onProgress: (sent, total) => {
        const now = performance.now();
        e.samples = [...e.samples.filter((s) => now - s.t < SPEED_WINDOW_MS), { t: now, sent }];
        const first = e.samples[0]!;
        const speed = now - first.t > 250 ? ((sent - first.sent) * 1000) / (now - first.t) : e.item.speed;
        this.update(e, {
          sent,
          speed,
          etaSec: speed > 0 ? (total - sent) / speed : null,
          state: sent >= total ? 'finishing' : e.item.state,
        });
      },
      onDone: (videoId, duplicate) => {
        this.update(e, { state: 'done', sent: e.item.size, speed: 0, etaSec: 0, videoId, duplicate });
        this.next();
      },
      onOffline: () => {
        this.update(e, { state: 'offline', speed: 0, etaSec: null });
        this.next();
      },
      onError: (message) => {
        this.update(e, { state: 'error', speed: 0, etaSec: null, error: message });
        this.next();
      },
    };
    void e.transfer.start(events);
  }
}
