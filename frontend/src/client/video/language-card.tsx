'use client';

import { languageName, percent } from '@/shared/format';
import { languageFacts } from '@/shared/results';
import type { VideoView } from '@/shared/video';
import { taskStatusText } from './status';

/** What langscale found: the language and how sure, the runners-up, the text cross-check, or "no speech". */
export function LanguageCard({ video }: { video: VideoView }) {
  const task = video.tasks.langscale;
  const facts = languageFacts(video);
  let body: React.ReactNode;
  if (!task) {
    body = video.uploaderLanguage ? (
      <p>
        {languageName(video.uploaderLanguage)} <span className="muted">(given at upload)</span>
      </p>
    ) : (
      <p className="muted">Language detection was not asked for.</p>
    );
  } else if (task.status === 'skipped') {
    body = <p className="muted">Not detected: {task.reason ?? 'skipped'}.</p>;
  } else if (task.status === 'failed') {
    body = <p className="error">Detection failed: {task.lastError ?? 'unknown error'}</p>;
  } else if (!facts) {
    body = <p className="muted">Detection {taskStatusText(task.status, task.progress)}…</p>;
  } else if (!facts.speech) {
    body = (
      <p className="no-speech">
        <strong>No speech</strong> was found{facts.reason ? `: ${facts.reason}` : '.'}
      </p>
    );
  } else {
    body = (
      <>
        <p className="lang-main">
          <strong>{languageName(facts.code)}</strong> <span className="muted">({facts.code})</span>
        </p>
        {facts.confidence !== null ? (
          <div className="meter">
            <span>Confidence {percent(facts.confidence)}</span>
            <meter min={0} max={1} value={facts.confidence} aria-label="Confidence" />
          </div>
        ) : null}
        {facts.alternatives.length ? (
          <>
            <h3>Also heard</h3>
            <ul className="alternatives">
              {facts.alternatives.slice(0, 4).map((a) => (
                <li key={a.code}>
                  {languageName(a.code)} <span className="muted">{percent(a.probability)}</span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {facts.crossCheck ? (
          <p className="small">
            Text check of the words heard:{' '}
            {facts.crossCheck.agrees === true
              ? 'agrees.'
              : facts.crossCheck.language
                ? `reads as ${languageName(facts.crossCheck.language)}.`
                : 'too little text to tell.'}
          </p>
        ) : null}
        {facts.speechSeconds !== null ? (
          <p className="muted small">
            {Math.round(facts.speechSeconds)} s of speech, {Math.round(facts.analysedSeconds ?? 0)} s
            analysed.
          </p>
        ) : null}
      </>
    );
  }
  return (
    <section
      className="panel language-card"
      aria-labelledby="lang-h"
      data-language={facts?.code ?? undefined}
    >
      <h2 id="lang-h">Spoken language</h2>
      {body}
    </section>
  );
}
