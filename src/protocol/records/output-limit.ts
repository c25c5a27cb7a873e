// The error the codec files throw when decompressed output would pass the caller's limit, so that
// compression.ts can tell "too large" (MESSAGE_TOO_LARGE) from "malformed" (CORRUPT_MESSAGE).

export class OutputLimitError extends RangeError {
  constructor(codec: string, outputBytesMax: number) {
    super(`${codec} data decompresses to more than the ${outputBytesMax}-byte limit`);
    this.name = 'OutputLimitError';
  }
}
