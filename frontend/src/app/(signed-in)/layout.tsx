import { Providers } from '@/client/providers';
import { SiteHeader } from '@/client/site-header';

export default function SignedInLayout({ children }: { children: React.ReactNode }) {
  return (
    <Providers>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <SiteHeader />
      <main id="main" className="page">
        {children}
      </main>
    </Providers>
  );
}
