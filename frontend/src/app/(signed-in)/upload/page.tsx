import type { Metadata } from 'next';
import { UploadView } from '@/client/upload/upload-view';
import { requireSignedIn } from '@/server/session';

export const metadata: Metadata = { title: 'Upload · VidP' };
export const dynamic = 'force-dynamic';

export default async function UploadPage() {
  await requireSignedIn('/upload');
  return <UploadView />;
}
