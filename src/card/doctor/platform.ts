/**
 * Just enough user-agent reading to name the browser and pick the operating system's words in
 * a remedy. Never used to decide whether a feature exists: that is decided by the objects
 * passed in (navigator.usb, navigator.smartCard).
 */

export type BrowserName = 'Chrome' | 'Edge' | 'Chromium' | 'Opera' | 'Firefox' | 'Safari' | 'this browser';
export type OsName = 'windows' | 'macos' | 'linux' | 'chromeos' | 'android' | 'ios' | 'unknown';

export interface Platform {
  browser: BrowserName;
  /** A Chromium-based browser (the only family with WebUSB and Isolated Web Apps). */
  chromium: boolean;
  os: OsName;
}

export function platformOf(userAgent = ''): Platform {
  const ua = userAgent;
  let os: OsName = 'unknown';
  if (/CrOS/.test(ua)) os = 'chromeos';
  else if (/Android/.test(ua)) os = 'android';
  else if (/iPhone|iPad|iPod/.test(ua)) os = 'ios';
  else if (/Windows/.test(ua)) os = 'windows';
  else if (/Macintosh|Mac OS X/.test(ua)) os = 'macos';
  else if (/Linux|X11/.test(ua)) os = 'linux';

  let browser: BrowserName = 'this browser';
  if (/Firefox\/|FxiOS\//.test(ua)) browser = 'Firefox';
  else if (/Edg(e|A|iOS)?\//.test(ua)) browser = 'Edge';
  else if (/OPR\//.test(ua)) browser = 'Opera';
  else if (/Chromium\//.test(ua)) browser = 'Chromium';
  else if (/Chrome\/|CriOS\//.test(ua)) browser = 'Chrome';
  else if (/Safari\//.test(ua)) browser = 'Safari';
  // On iOS every browser is Safari's engine underneath, whatever its name.
  const chromium = os !== 'ios' && (browser === 'Chrome' || browser === 'Edge' || browser === 'Chromium' || browser === 'Opera');
  return { browser, chromium, os };
}
