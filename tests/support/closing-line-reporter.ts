import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends a run with one plain line, `tests: N passed, N failed, N skipped`, without colour: vitest's
 * own summary is coloured and laid out for people, and CI reads the closing line to know that
 * tests ran. A file that fails to load and an unhandled error each count as a failure.
 */
export default class ClosingLineReporter implements Reporter {
  private line = '';

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of modules) {
      let tests = 0;
      for (const test of module.children.allTests()) {
        tests += 1;
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      if (tests === 0 && module.state() === 'failed') failed += 1;
    }
    this.line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
  }

  // Written here, the hook vitest calls after every reporter's onTestRunEnd, so that the line
  // comes after the default reporter's summary and closes the output.
  onFinished(): void {
    if (this.line) process.stdout.write(`\n${this.line}\n`);
  }
}
