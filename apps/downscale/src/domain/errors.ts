/** Why a source cannot be turned into renditions: the caller's input, not a service fault. */
export type RejectionKind =
  | 'unsupported'
  | 'no-video'
  | 'too-long'
  | 'too-large'
  | 'undecodable'
  | 'timed-out';

export class SourceRejected extends Error {
  constructor(
    readonly kind: RejectionKind,
    message: string,
  ) {
    super(message);
  }
}
