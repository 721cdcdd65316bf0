'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useCallback, useMemo, useRef, useState } from 'react';
import { formatBytes, formatDuration } from '@/shared/format';
import {
  animalTracks,
  hlsMaster,
  outputNamed,
  renditions,
  subtitleFiles,
  subtitleLanguage,
} from '@/shared/results';
import type { Transcript, VideoView } from '@/shared/video';
import { AnimalLane, SearchHits } from './animal-lane';
import { Downloads } from './downloads';
import { LanguageCard } from './language-card';
import { PipelineProgress } from './pipeline-progress';
import { VideoStatusBadge } from './status';
import { matchingCues, TranscriptPanel } from './transcript-panel';
import { useVideo, useVideoEvents, videoKey } from './use-video';

// media-chrome and hls.js need the browser: the player is never rendered on the server.
const Player = dynamic(() => import('./player'), {
  ssr: false,
  loading: () => <div className="player player-placeholder" aria-hidden="true" />,
});

async function fetchTranscript(id: string): Promise<Transcript> {
  const res = await fetch(`/api/videos/${id}/transcript`);
  if (!res.ok) throw new Error(`transcript: HTTP ${res.status}`);
  return (await res.json()) as Transcript;
}

export function VideoDetail({
  initial,
  startAt,
  preferredLanguages,
}: {
  initial: VideoView;
  startAt: number;
  preferredLanguages: string[];
}) {
  const { data } = useVideo(initial.id, initial);
  const video = data ?? initial;
  useVideoEvents(video.id, video.status === 'processing');
  const qc = useQueryClient();
  const router = useRouter();
  const [time, setTime] = useState(startAt);
  const [duration, setDuration] = useState(video.media.durationSec);
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const seekRef = useRef<(t: number) => void>(() => undefined);
  const confirmDelete = useRef<HTMLDialogElement>(null);

  const subtitleDone = video.tasks.subtitle?.status === 'done';
  const transcript = useQuery({
    queryKey: ['transcript', video.id],
    queryFn: () => fetchTranscript(video.id),
    enabled: subtitleDone && Boolean(subtitleFiles(video).vtt),
    staleTime: Number.POSITIVE_INFINITY,
  });

  const ladder = useMemo(() => renditions(video), [video]);
  const tracks = useMemo(() => animalTracks(video), [video]);
  const { vtt } = subtitleFiles(video);
  const lang = subtitleLanguage(video);
  const hits = useMemo(
    () => matchingCues(transcript.data?.cues ?? [], query).map((c) => c.start),
    [transcript.data, query],
  );
  const seek = useCallback((t: number) => seekRef.current(t), []);
  const onReady = useCallback((fn: (t: number) => void) => {
    seekRef.current = fn;
  }, []);

  const act = async (what: 'cancel' | 'delete') => {
    setBusy(what);
    setActionError(null);
    try {
      const res = await fetch(
        what === 'cancel' ? `/api/videos/${video.id}/cancel` : `/api/videos/${video.id}`,
        {
          method: what === 'cancel' ? 'POST' : 'DELETE',
        },
      );
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { detail?: string };
        throw new Error(body.detail ?? `HTTP ${res.status}`);
      }
      if (what === 'delete') {
        qc.removeQueries({ queryKey: videoKey(video.id) });
        void qc.invalidateQueries({ queryKey: ['library'] });
        router.push('/library');
      } else {
        qc.setQueryData(videoKey(video.id), (await res.json()) as VideoView);
      }
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const deepLink = () => {
    const url = `${window.location.origin}/videos/${video.id}?t=${Math.floor(time)}`;
    void navigator.clipboard?.writeText(url).then(
      () => setCopied(true),
      () => setCopied(false),
    );
    window.history.replaceState(null, '', `/videos/${video.id}?t=${Math.floor(time)}`);
  };

  const transcriptStatus = !video.tasks.subtitle
    ? 'Subtitles were not asked for.'
    : video.tasks.subtitle.status === 'skipped'
      ? `No subtitles: ${video.tasks.subtitle.reason ?? 'skipped'}.`
      : video.tasks.subtitle.status === 'failed'
        ? `Subtitles failed: ${video.tasks.subtitle.lastError ?? ''}`
        : transcript.isError
          ? 'The transcript could not be loaded.'
          : 'Subtitles are being written…';

  return (
    <div className="video-page">
      <div className="video-main">
        <Player
          title={video.title}
          renditions={ladder}
          hls={hlsMaster(video)?.url ?? null}
          original={`/api/videos/${video.id}/original`}
          poster={outputNamed(video, 'downscale', 'poster')?.url ?? null}
          subtitles={
            vtt
              ? {
                  url: vtt.url,
                  language: lang,
                  showByDefault: Boolean(lang && preferredLanguages.includes(lang)),
                }
              : null
          }
          thumbnails={outputNamed(video, 'downscale', 'thumbnails')?.url ?? null}
          startAt={startAt}
          durationSec={video.media.durationSec}
          onTime={setTime}
          onDuration={setDuration}
          onReady={onReady}
        />
        <SearchHits hits={hits} duration={duration} onSeek={seek} />
        <AnimalLane tracks={tracks} duration={duration} currentTime={time} onSeek={seek} />
        <div className="video-head">
          <h1>{video.title}</h1>
          <div className="row wrap">
            <VideoStatusBadge status={video.status} />
            <span className="muted small">
              {formatDuration(video.media.durationSec)} ·{' '}
              {video.media.video ? `${video.media.video.width}×${video.media.video.height} · ` : ''}
              {formatBytes(video.size)}
            </span>
          </div>
          <div className="row wrap actions">
            <button type="button" onClick={deepLink}>
              Copy link at {formatDuration(time)}
            </button>
            {copied ? (
              <span className="muted small" role="status">
                Link copied
              </span>
            ) : null}
            {video.status === 'processing' ? (
              <button type="button" onClick={() => act('cancel')} disabled={busy !== null}>
                {busy === 'cancel' ? 'Cancelling…' : 'Cancel processing'}
              </button>
            ) : null}
            <button
              type="button"
              className="danger"
              onClick={() => confirmDelete.current?.showModal()}
              disabled={busy !== null}
            >
              Delete
            </button>
          </div>
          {actionError ? (
            <p role="alert" className="error">
              {actionError}
            </p>
          ) : null}
        </div>
        <Downloads video={video} />
      </div>
      <aside className="video-side" aria-label="About this video">
        <PipelineProgress video={video} />
        <LanguageCard video={video} />
        <TranscriptPanel
          cues={transcript.data?.cues ?? null}
          status={transcriptStatus}
          currentTime={time}
          query={query}
          onQuery={setQuery}
          onSeek={seek}
        />
      </aside>
      <dialog ref={confirmDelete} className="confirm" aria-labelledby="del-h">
        <h2 id="del-h">Delete “{video.title}”?</h2>
        <p>The video, its renditions, subtitles and results are removed for good.</p>
        <form method="dialog" className="row">
          <button type="submit">Keep it</button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              confirmDelete.current?.close();
              void act('delete');
            }}
          >
            Delete
          </button>
        </form>
      </dialog>
    </div>
  );
}
