// Terminal output: Chinese text, ID numbers always masked.
import { maskIdsInText } from '../domain/id-number.js';

export function say(text: string): void {
  process.stdout.write(maskIdsInText(text) + '\n');
}

export function warn(text: string): void {
  process.stderr.write(maskIdsInText(text) + '\n');
}
