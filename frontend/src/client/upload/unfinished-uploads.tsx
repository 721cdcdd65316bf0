'use client';

import { formatBytes } from '@/shared/format';

export interface StoredUpload {
  key: string;
  name: string;
  size: number;
  createdAt: string;
}

/** Uploads begun before a reload: picking the same file again goes on from the server's offset. */
export function UnfinishedUploads({
  uploads,
  onPick,
  onForget,
}: {
  uploads: StoredUpload[];
  onPick: () => void;
  onForget: (key: string) => void;
}) {
  if (!uploads.length) return null;
  return (
    <section className="unfinished" aria-labelledby="unfinished-h">
      <h2 id="unfinished-h">Unfinished uploads</h2>
      <p className="muted small">Pick the same file again to go on where it stopped.</p>
      <ul>
        {uploads.map((u) => (
          <li key={u.key} className="unfinished-item">
            <span>
              {u.name} <span className="muted">({formatBytes(u.size)})</span>
            </span>
            <span className="row">
              <button type="button" onClick={onPick} aria-label={`Pick again: ${u.name}`}>
                Pick again
              </button>
              <button
                type="button"
                className="ghost"
                onClick={() => onForget(u.key)}
                aria-label={`Forget ${u.name}`}
              >
                Forget
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
