// mint-filter (a word filter) over message events, with menshen's terms: one
// {"id", "words"} line per event.
const fs = require('fs');
const mod = require('mint-filter');
const Mint = mod.default || mod.Mint || mod;
const terms = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((t) => t.length > 0);
const mint = new Mint(terms);
const readline = require('readline');
const out = [];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  const event = JSON.parse(line);
  const result = mint.filter(event.text);
  out.push(JSON.stringify({ id: event.id, words: result.words.length }));
  if (out.length >= 1000) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
});
rl.on('close', () => { if (out.length) process.stdout.write(out.join('\n') + '\n'); });
