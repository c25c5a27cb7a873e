// A progress bar for long CLI work (demo start-up, waiting for a reassignment, bench runs), on
// stderr so that stdout stays the command's output. On a terminal it redraws one line with \r,
// at most every REDRAW_INTERVAL_MS, and lines logged meanwhile print above it. Elsewhere (a pipe,
// a file, CI) redrawing would only add noise: it prints a plain line at most every
// PLAIN_INTERVAL_MS, so work that ends quickly prints nothing. renderProgress is the pure part.

const REDRAW_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 10_000;
const BAR_WIDTH = 24;

export interface ProgressBar {
  /** How far the work is (0..total), and optionally what it is doing now. */
  update(done: number, detail?: string): void;
  /** A line of output that should stay, printed above the bar (to `to`, default the bar's stream). */
  log(line: string, to?: ProgressStream): void;
  /** Removes the bar; nothing is printed after this. */
  finish(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** `label [#########-----------] 3/8 detail`, cut to `columns` characters. */
export function renderProgress(label: string, done: number, total: number, detail: string, columns: number): string {
  const fraction = total <= 0 ? 0 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const line = `${label} ${bar} ${done}/${total}${detail === '' ? '' : ` ${detail}`}`;
  return line.length <= columns ? line : line.slice(0, Math.max(0, columns - 1)) + '…';
}

export function startProgress(label: string, total: number, stream: ProgressStream = process.stderr, now: () => number = Date.now): ProgressBar {
  return stream.isTTY === true ? new TerminalBar(label, total, stream, now) : new PlainProgress(label, total, stream, now);
}

class TerminalBar implements ProgressBar {
  private done = 0;
  private detail = '';
  private drawnAt = -Infinity;
  private isShown = false;
  private isFinished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream,
    private readonly now: () => number,
  ) {}

  update(done: number, detail = this.detail): void {
    if (this.isFinished) return;
    const isChanged = done !== this.done || detail !== this.detail;
    this.done = done;
    this.detail = detail;
    // Always draw the last step, so a finished bar never shows a stale count.
    if (isChanged && (this.now() - this.drawnAt >= REDRAW_INTERVAL_MS || done >= this.total)) this.draw();
  }

  log(line: string, to: ProgressStream = this.stream): void {
    this.clear();
    to.write(`${line}\n`);
    if (!this.isFinished) this.draw();
  }

  finish(): void {
    this.clear();
    this.isFinished = true;
  }

  private draw(): void {
    const columns = Math.max(20, (this.stream.columns || 80) - 1);
    // A terminal of unknown width (0 under some wrappers) is taken as 80 columns; \x1b[K clears
    // what a longer previous line left behind.
    this.stream.write(`\r${renderProgress(this.label, this.done, this.total, this.detail, columns)}\x1b[K`);
    this.drawnAt = this.now();
    this.isShown = true;
  }

  private clear(): void {
    if (this.isShown) this.stream.write('\r\x1b[K');
    this.isShown = false;
  }
}

class PlainProgress implements ProgressBar {
  private printedAt: number;
  private isFinished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream,
    private readonly now: () => number,
  ) {
    this.printedAt = now();
  }

  update(done: number, detail = ''): void {
    if (this.isFinished || this.now() - this.printedAt < PLAIN_INTERVAL_MS) return;
    this.stream.write(`${this.label}: ${done}/${this.total}${detail === '' ? '' : ` ${detail}`}\n`);
    this.printedAt = this.now();
  }

  log(line: string, to: ProgressStream = this.stream): void {
    to.write(`${line}\n`);
  }

  finish(): void {
    this.isFinished = true;
  }
}
