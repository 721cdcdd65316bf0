// One file sent with tus (resumable): 8 MiB chunks through the web app's own /api/uploads, which
// relays them to main-app. The upload URL is remembered (localStorage, by file fingerprint), so
// the same file picked again after a reload goes on from the server's offset.
import type { DetailedError, Upload } from 'tus-js-client';
import type { UploadChoices } from './queue';

export const CHUNK_BYTES = 8 * 1024 * 1024;
export const UPLOAD_ENDPOINT = '/api/uploads';

export interface TransferEvents {
  /** The server had `offset` bytes of this file already: the upload goes on from there. */
  onResumed(offset: number): void;
  onProgress(sent: number, total: number): void;
  onDone(videoId: string, duplicate: boolean): void;
  onOffline(): void;
  onError(message: string): void;
}

/** The message the API gave (problem+json `detail`, or its text), else a plain description. */
export function apiMessage(err: Error | DetailedError): string {
  const res = 'originalResponse' in err ? err.originalResponse : null;
  if (!res) return 'The connection to VidP was lost. Resume to go on from where it stopped.';
  const body = res.getBody() ?? '';
  try {
    const json = JSON.parse(body) as { detail?: string; title?: string };
    if (json.detail) return json.detail;
  } catch {
    // not JSON
  }
  return body.trim() || `The upload was refused (HTTP ${res.getStatus()}).`;
}

const retryable = (status: number) =>
  status === 0 || status === 409 || status === 423 || status === 429 || status >= 500;

export class Transfer {
  private upload: Upload | undefined;
  private events: TransferEvents | undefined;
  private paused = false;

  constructor(
    private readonly file: File,
    private readonly choices: UploadChoices,
  ) {}

  private async create(): Promise<Upload> {
    // Loaded when the first file goes, not with the page.
    const tus = await import('tus-js-client');
    const upload = new tus.Upload(this.file, {
      endpoint: UPLOAD_ENDPOINT,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      metadata: {
        filename: this.file.name,
        filetype: this.file.type,
        tasks: this.choices.tasks.join(','),
        ...(this.choices.language ? { language: this.choices.language } : {}),
      },
      onShouldRetry: (err) => navigator.onLine && retryable(err.originalResponse?.getStatus() ?? 0),
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'HEAD' && res.getStatus() < 300) {
          this.events?.onResumed(Number(res.getHeader('Upload-Offset') ?? 0));
        }
      },
      onProgress: (sent, total) => this.events?.onProgress(sent, total),
      onSuccess: ({ lastResponse }) => {
        let duplicate = false;
        let id = lastResponse.getHeader('Vidp-Video-Id') ?? '';
        try {
          const body = JSON.parse(lastResponse.getBody() ?? '{}') as {
            duplicate?: boolean;
            video?: { id?: string };
          };
          duplicate = body.duplicate === true;
          id = body.video?.id ?? id;
        } catch {
          // the header is enough
        }
        this.events?.onDone(id, duplicate);
      },
      onError: (err) => {
        if (this.paused) return;
        if (!navigator.onLine) return this.events?.onOffline();
        // Refused for good (not media, too big...): nothing to resume later.
        const status = 'originalResponse' in err ? (err.originalResponse?.getStatus() ?? 0) : 0;
        if (!retryable(status)) void this.forget();
        this.events?.onError(apiMessage(err));
      },
    });
    const previous = await upload.findPreviousUploads();
    const latest = previous
      .filter((p) => p.uploadUrl)
      .sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
    if (latest) upload.resumeFromPreviousUpload(latest);
    return upload;
  }

  /** Drops what this browser remembers of the file's upload (so it is not offered for resuming). */
  private async forget(): Promise<void> {
    const tus = await import('tus-js-client');
    const storage = tus.defaultOptions.urlStorage;
    const fingerprint = await tus.defaultOptions.fingerprint?.(this.file, { endpoint: UPLOAD_ENDPOINT });
    if (!storage || !fingerprint) return;
    for (const u of await storage.findUploadsByFingerprint(fingerprint))
      await storage.removeUpload(u.urlStorageKey);
  }

  async start(events: TransferEvents): Promise<void> {
    this.events = events;
    this.paused = false;
    try {
      this.upload ??= await this.create();
    } catch (err) {
      events.onError(`The upload could not start: ${(err as Error).message}`);
      return;
    }
    if (!this.paused) this.upload.start();
  }

  async pause(): Promise<void> {
    this.paused = true;
    await this.upload?.abort(false);
  }

  /** Stops and forgets: the server's partial file is removed too. */
  async cancel(): Promise<void> {
    this.paused = true;
    await this.upload?.abort(true).catch(() => undefined);
  }
}
