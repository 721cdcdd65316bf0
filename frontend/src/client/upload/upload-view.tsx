'use client';

import Link from 'next/link';
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import {
  formatBytes,
  formatDuration,
  formatSpeed,
  KNOWN_LANGUAGES,
  languageName,
  percent,
} from '@/shared/format';
import { TASK_LABELS, TASKS, type TaskName } from '@/shared/video';
import { LiveTaskChips } from '../video/live-task-chips';
import { type UploadItem, UploadQueue } from './queue';
import { type StoredUpload, UnfinishedUploads } from './unfinished-uploads';

const STATE_TEXT: Record<UploadItem['state'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  paused: 'Paused',
  offline: 'Offline: it goes on when the network is back',
  finishing: 'Checking and storing…',
  done: 'Uploaded',
  error: 'Refused',
};

export function UploadView() {
  const [queue] = useState(() => new UploadQueue());
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
  const [tasks, setTasks] = useState<TaskName[]>([...TASKS]);
  const [language, setLanguage] = useState('');
  const [dragging, setDragging] = useState(false);
  const [stored, setStored] = useState<StoredUpload[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const ids = useId();

  const refreshStored = useCallback(async () => {
    const tus = await import('tus-js-client');
    const all = await tus.defaultOptions.urlStorage?.findAllUploads();
    setStored(
      (all ?? [])
        .filter((u) => u.uploadUrl)
        .map((u) => ({
          key: u.urlStorageKey,
          name: u.metadata.filename ?? 'file',
          size: u.size ?? 0,
          createdAt: u.creationTime,
        })),
    );
  }, []);

  useEffect(() => {
    void refreshStored();
    const online = () => queue.online();
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [queue, refreshStored]);

  const addFiles = (files: FileList | File[] | null) => {
    const list = [...(files ?? [])];
    if (!list.length) return;
    queue.add(list, { tasks, language });
    // Files picked again match their stored fingerprint: they are no longer "unfinished".
    setStored((s) => s.filter((u) => !list.some((f) => f.name === u.name && f.size === u.size)));
  };

  const toggleTask = (t: TaskName) =>
    setTasks((cur) =>
      cur.includes(t) ? cur.filter((x) => x !== t) : TASKS.filter((x) => x === t || cur.includes(x)),
    );

  return (
    <div className="upload-layout">
      <section aria-labelledby={`${ids}-h`} className="panel">
        <h1 id={`${ids}-h`}>Upload videos</h1>
        <fieldset className="options">
          <legend>What VidP does with them</legend>
          <div className="checks">
            {TASKS.map((t) => (
              <label key={t} className="check">
                <input type="checkbox" checked={tasks.includes(t)} onChange={() => toggleTask(t)} />{' '}
                {TASK_LABELS[t]}
              </label>
            ))}
          </div>
          {tasks.length === 0 ? <p className="muted">No task chosen: every task will run.</p> : null}
          <label htmlFor={`${ids}-lang`}>Spoken language</label>
          <select id={`${ids}-lang`} value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value="">Detect it</option>
            {KNOWN_LANGUAGES.map((c) => (
              <option key={c} value={c}>
                {languageName(c)}
              </option>
            ))}
          </select>
        </fieldset>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop zone's keyboard path is the button inside it */}
        <div
          className={`dropzone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            addFiles(e.dataTransfer.files);
          }}
        >
          <p>Drop video files here, or</p>
          <button type="button" className="primary" onClick={() => input.current?.click()}>
            Choose files
          </button>
          <input
            ref={input}
            id={`${ids}-file`}
            className="visually-hidden"
            type="file"
            multiple
            accept="video/*,audio/*,.mkv,.mov,.mp4,.webm,.avi"
            aria-label="Video files to upload"
            onChange={(e) => {
              addFiles(e.target.files);
              e.target.value = '';
            }}
          />
          <p className="muted small">
            Uploads resume after a network loss, and after a reload when you pick the same file again.
          </p>
        </div>
        <UnfinishedUploads
          uploads={stored}
          onPick={() => input.current?.click()}
          onForget={async (key) => {
            const tus = await import('tus-js-client');
            await tus.defaultOptions.urlStorage?.removeUpload(key);
            await refreshStored();
          }}
        />
      </section>
      <section aria-labelledby={`${ids}-q`} className="panel">
        <h2 id={`${ids}-q`}>Queue</h2>
        {items.length === 0 ? <p className="muted">No files yet.</p> : null}
        <ul className="queue" aria-live="polite">
          {items.map((item) => (
            <QueueRow key={item.key} item={item} queue={queue} />
          ))}
        </ul>
      </section>
    </div>
  );
}

function QueueRow({ item, queue }: { item: UploadItem; queue: UploadQueue }) {
  const fraction = item.size ? item.sent / item.size : 0;
  const active = item.state === 'uploading' || item.state === 'finishing';
  return (
    <li className={`queue-item state-${item.state}`} data-upload-state={item.state}>
      <div className="queue-head">
        <span className="file-name">{item.name}</span>
        <span className="muted small">{formatBytes(item.size)}</span>
      </div>
      <progress
        max={item.size || 1}
        value={item.sent}
        aria-label={`Upload of ${item.name}`}
        aria-valuetext={`${percent(fraction)} sent`}
      />
      <div className="queue-facts small">
        <span className="upload-state">{STATE_TEXT[item.state]}</span>
        <span>
          {formatBytes(item.sent)} of {formatBytes(item.size)} ({percent(fraction)})
        </span>
        {active && item.speed > 0 ? <span>{formatSpeed(item.speed)}</span> : null}
        {active && item.etaSec !== null ? <span>{formatDuration(item.etaSec)} left</span> : null}
        {item.resumedFrom ? (
          <span className="resumed">resumed at {formatBytes(item.resumedFrom)}</span>
        ) : null}
      </div>
      {item.error ? (
        <p role="alert" className="error">
          {item.error}
        </p>
      ) : null}
      {item.state === 'done' && item.videoId ? (
        <div className="queue-done">
          {item.duplicate ? (
            <p className="notice">
              This file is already in the library:{' '}
              <Link href={`/videos/${item.videoId}`}>open the existing video</Link>.
            </p>
          ) : (
            <p>
              <Link href={`/videos/${item.videoId}`}>Open the video</Link>
            </p>
          )}
          <LiveTaskChips videoId={item.videoId} />
        </div>
      ) : null}
      <div className="queue-actions">
        {item.state === 'uploading' || item.state === 'queued' || item.state === 'offline' ? (
          <button type="button" onClick={() => queue.pause(item.key)} aria-label={`Pause ${item.name}`}>
            Pause
          </button>
        ) : null}
        {item.state === 'paused' ? (
          <button type="button" onClick={() => queue.resume(item.key)} aria-label={`Resume ${item.name}`}>
            Resume
          </button>
        ) : null}
        {item.state !== 'finishing' ? (
          <button
            type="button"
            className="ghost"
            onClick={() => queue.remove(item.key)}
            aria-label={`${item.state === 'done' ? 'Clear' : 'Remove'} ${item.name}`}
          >
            {item.state === 'done' ? 'Clear' : 'Remove'}
          </button>
        ) : null}
      </div>
    </li>
  );
}
