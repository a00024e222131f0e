// Check-in at the door (events back office): scan the QR code of a confirmation with the browser's camera.
// Progressive enhancement: only where the BarcodeDetector API and a camera exist does the button appear; everywhere
// else the page explains the phone's camera app and the name search, which work without this script.
(() => {
  const section = document.querySelector("[data-checkin-scanner]");
  if (!section || !("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  const button = section.querySelector("[data-scan-start]");
  const video = section.querySelector("[data-scan-video]");
  const status = section.querySelector("[data-scan-status]");
  const prefix = section.dataset.prefix;
  let stream = null;
  let detector = null;

  const say = (text) => { status.textContent = text; };
  const label = (text) => { button.querySelector(".kern-label").textContent = text; };

  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    label(section.dataset.startLabel);
  };

  // Only addresses of this event's check-in on this host are followed; anything else is reported, never opened.
  const target = (raw) => {
    try {
      const url = new URL(raw, window.location.href);
      if (url.origin === window.location.origin && url.pathname.startsWith(prefix) && url.pathname.length > prefix.length) return url;
    } catch (_error) { /* not an address */ }
    return null;
  };

  const scan = async () => {
    if (!stream) return;
    try {
      const codes = await detector.detect(video);
      for (const code of codes) {
        const url = target(code.rawValue);
        if (url) {
          stop();
          window.location.assign(url.href);
          return;
        }
        say(section.dataset.wrongCode);
      }
    } catch (_error) { /* the video is not ready yet */ }
    window.setTimeout(scan, 250);
  };

  const start = async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (_error) {
      say(section.dataset.noCamera);
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    label(section.dataset.stopLabel);
    say(section.dataset.scanning);
    scan();
  };

  window.BarcodeDetector.getSupportedFormats().then((formats) => {
    if (!formats.includes("qr_code")) return;
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    button.hidden = false;
    button.addEventListener("click", () => (stream ? stop() : start()));
  }).catch(() => { /* no scanner: the camera app and the name search remain */ });
  window.addEventListener("pagehide", stop);
})();
