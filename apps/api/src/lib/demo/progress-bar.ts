// A one-line progress bar on stderr (plain lines when stderr is not a terminal).
export function createProgressBar(total: number, label: string) {
  const width = 30;
  const interactive = process.stderr.isTTY;
  let done = 0;
  return {
    tick(detail: string): void {
      done += 1;
      const filled = Math.round((done / Math.max(1, total)) * width);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}`;
      if (interactive) process.stderr.write(`\r\x1b[2K${line.slice(0, process.stderr.columns - 1)}`);
      else process.stderr.write(`${line}\n`);
    },
    finish(): void {
      if (interactive) process.stderr.write('\n');
    },
  };
}
