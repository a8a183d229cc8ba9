import { writeBenchFixtures } from '/work/main/dist/fixtures/generate.js';
const t0 = performance.now();
await writeBenchFixtures(process.argv[2], { lines: Number(process.argv[3]), people: Number(process.argv[4]), seed: 1 });
console.log('generated', ((performance.now() - t0) / 1000).toFixed(1), 's', Math.round(process.memoryUsage().rss / 1e6), 'MB');
