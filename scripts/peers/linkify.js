// linkify-it over message events: one {"id", "links"} line per event (links only).
const linkify = require('linkify-it')();
const readline = require('readline');
const out = [];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  const event = JSON.parse(line);
  const links = linkify.match(event.text);
  out.push(JSON.stringify({ id: event.id, links: links ? links.length : 0 }));
  if (out.length >= 1000) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
});
rl.on('close', () => { if (out.length) process.stdout.write(out.join('\n') + '\n'); });
