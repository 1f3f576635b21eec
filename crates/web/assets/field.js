// The field app's pages. Installable: the service worker caches static
// assets only. A file, not an inline script: the Content-Security-Policy
// allows scripts from /assets/ only.
if ('serviceWorker' in navigator) { navigator.serviceWorker.register('/sw.js').catch(function () {}); }
