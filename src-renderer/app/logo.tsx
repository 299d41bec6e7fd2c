import iconUrl from '../../assets/icon.svg';

/** The ConfigSync mark, from the same SVG the installers' icons are generated from. */
export function Logo({ size = 24 }: { size?: number }) {
  return <img src={iconUrl} width={size} height={size} alt="" aria-hidden="true" />;
}
