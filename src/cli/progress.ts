import cliProgress from "cli-progress";

/** A progress bar on stderr for batch work; on a non-terminal it draws nothing (logs and pipes stay clean). */
export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true || total <= 1) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label.padEnd(12)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
      barCompleteChar: "█",
      barIncompleteChar: "░",
      // A hidden cursor would stay hidden if the user interrupts the batch.
      hideCursor: false,
      clearOnComplete: false,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let stopped = false;
  return {
    update: (done, newTotal) => {
      if (newTotal !== undefined && newTotal !== total) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
