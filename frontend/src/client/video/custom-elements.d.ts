// media-chrome's web components, as JSX elements (React 19 passes their attributes through).
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

type MediaElement = DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> & {
  [attribute: string]: unknown;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'media-controller': MediaElement;
      'media-control-bar': MediaElement;
      'media-time-range': MediaElement;
      'media-play-button': MediaElement;
      'media-seek-backward-button': MediaElement;
      'media-seek-forward-button': MediaElement;
      'media-mute-button': MediaElement;
      'media-volume-range': MediaElement;
      'media-fullscreen-button': MediaElement;
      'media-loading-indicator': MediaElement;
    }
  }
}
