// vitest globalSetup of the reliability suite: starts with no figures, prints the table at the end.
import { clearFigures, figuresTable } from './figures';

export default function setup() {
  clearFigures();
  return () => {
    console.log(`\nSealflow reliability figures\n\n${figuresTable()}\n`);
  };
}
