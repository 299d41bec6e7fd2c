/** The ConfigSync mark: two servers joined by a sync arrow (the same drawing as assets/icon.svg). */
export function Logo({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" role="img" aria-label="ConfigSync">
      <rect x="2" y="2" width="60" height="60" rx="14" fill="#1c7ed6" />
      <rect x="13" y="14" width="38" height="13" rx="3" fill="#fff" />
      <rect x="13" y="37" width="38" height="13" rx="3" fill="#e7f5ff" />
      <circle cx="19.5" cy="20.5" r="2.2" fill="#12b886" />
      <circle cx="19.5" cy="43.5" r="2.2" fill="#12b886" />
      <path d="M40 27v6.5h-4l6 6 6-6h-4V27z" fill="#12b886" />
    </svg>
  );
}
