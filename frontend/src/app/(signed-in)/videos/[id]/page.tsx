import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { VideoDetail } from '@/client/video/video-detail';
import { MainAppError } from '@/server/main-app/invoke';
import { getVideo } from '@/server/main-app/videos';
import { requireSignedIn } from '@/server/session';
import type { VideoView } from '@/shared/video';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** The languages the browser asks for, best first ("fr-CH, fr;q=0.9, en" → fr, en). */
function preferredLanguages(acceptLanguage: string): string[] {
  return [
    ...new Set(
      acceptLanguage
        .split(',')
        .map((part) => {
          const [tag, ...params] = part.trim().split(';');
          const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
          return { code: (tag ?? '').split('-')[0]?.toLowerCase() ?? '', q: Number.isFinite(q) ? q : 0 };
        })
        .filter((l) => /^[a-z]{2}$/.test(l.code) && l.q > 0)
        .sort((a, b) => b.q - a.q)
        .map((l) => l.code),
    ),
  ];
}

/** One read of the video per request, shared by the metadata and the page. */
const readVideo = cache((id: string) => getVideo(id));

async function load(id: string): Promise<VideoView> {
  try {
    return await readVideo(id);
  } catch (err) {
    if (err instanceof MainAppError && err.status === 404) notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  try {
    return { title: `${(await readVideo(id)).title} · VidP` };
  } catch {
    return { title: 'Video · VidP' };
  }
}

export default async function VideoPage({ params, searchParams }: Props) {
  const { id } = await params;
  const t = Number((await searchParams).t);
  await requireSignedIn(`/videos/${id}${Number.isFinite(t) && t > 0 ? `?t=${t}` : ''}`);
  const video = await load(id);
  const languages = preferredLanguages((await headers()).get('accept-language') ?? '');
  return (
    <VideoDetail
      initial={video}
      startAt={Number.isFinite(t) && t > 0 ? t : 0}
      preferredLanguages={languages}
    />
  );
}
