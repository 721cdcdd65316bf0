'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/library', label: 'Library' },
  { href: '/upload', label: 'Upload' },
];

export function SiteHeader() {
  const path = usePathname();
  return (
    <header className="site-header">
      <Link href="/library" className="brand">
        <span className="logo" aria-hidden="true">
          ▶
        </span>{' '}
        VidP
      </Link>
      <nav aria-label="Main">
        <ul className="nav-list">
          {LINKS.map((l) => (
            <li key={l.href}>
              <Link href={l.href} aria-current={path.startsWith(l.href) ? 'page' : undefined}>
                {l.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <form method="post" action="/api/session/signout">
        <button type="submit" className="ghost">
          Sign out
        </button>
      </form>
    </header>
  );
}
