// Renders the app icons from the SVG sources in assets/ (run with `npm run icons`, commit the output):
//   assets/icons/NxN.png for N in 16…1024 (Linux, and the renderer), assets/icon.png (1024),
//   assets/icon.ico (Windows) and assets/icon.icns (macOS).
// Sizes up to 32 px use icon-small.svg, the same mark drawn bolder so it stays readable.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import png2icons from 'png2icons';

const assets = fileURLToPath(new URL('../assets/', import.meta.url));
const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];
const smallUpTo = 32;
const svgSide = 512;

const [full, small] = await Promise.all([readFile(`${assets}icon.svg`), readFile(`${assets}icon-small.svg`)]);

/** Rasterises the SVG at exactly the density that gives `size` pixels, so nothing is resampled. */
function render(svg, size) {
  return sharp(svg, { density: (72 * size) / svgSide })
    .resize(size, size)
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();
}

await mkdir(`${assets}icons`, { recursive: true });
const rendered = new Map();
for (const size of sizes) {
  const png = await render(size <= smallUpTo ? small : full, size);
  const meta = await sharp(png).metadata();
  if (meta.width !== size || meta.height !== size)
    throw new Error(`icon ${size}: rendered ${meta.width}x${meta.height}`);
  rendered.set(size, png);
  await writeFile(`${assets}icons/${size}x${size}.png`, png);
}

const largest = rendered.get(1024);
await writeFile(`${assets}icon.png`, largest);

// forWinExe: BMP entries below 64 px and PNG above, which every Windows shell and NSIS can show.
const ico = png2icons.createICO(largest, png2icons.BICUBIC2, 0, false, true);
if (!ico) throw new Error('png2icons could not build icon.ico');
await writeFile(`${assets}icon.ico`, ico);

const icns = png2icons.createICNS(largest, png2icons.BICUBIC2, 0);
if (!icns) throw new Error('png2icons could not build icon.icns');
await writeFile(`${assets}icon.icns`, icns);

console.log(
  `icons: ${sizes.map((s) => `${s}x${s}`).join(' ')}, icon.png, icon.ico (${ico.length} B), icon.icns (${icns.length} B)`,
);
