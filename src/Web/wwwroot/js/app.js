// The few things Blazor cannot do from C#: remembered preferences, the page language, and moving file
// chunks straight from the browser's File to the upload target (no copy through .NET memory).
(function () {
    'use strict';
    var prefix = 'modelshub.';

    function get(key) {
        try { return window.localStorage.getItem(prefix + key); } catch (e) { return null; }
    }

    function set(key, value) {
        try {
            if (value === null || value === undefined) window.localStorage.removeItem(prefix + key);
            else window.localStorage.setItem(prefix + key, value);
        } catch (e) { /* private mode: preferences last for this page only */ }
    }

    function setLanguage(lang) {
        document.documentElement.lang = lang;
    }

    // Before the first paint: the remembered language and theme, so the boot screen matches the app.
    (function boot() {
        var lang = get('language');
        if (lang) setLanguage(lang);
        var theme = null;
        try { theme = window.localStorage.getItem('modelshub.theme'); } catch (e) { }
        var mode = theme ? (JSON.parse(theme) || {}).mode : null;
        var dark = mode === 'dark' || ((!mode || mode === 'system') && window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
        document.documentElement.classList.toggle('boot-dark', !!dark);
    })();

    var files = {};

    function fileOf(inputId) {
        var input = document.getElementById(inputId);
        if (input && input.tagName !== 'INPUT') input = input.querySelector('input[type=file]');
        return input && input.files && input.files.length > 0 ? input.files[0] : null;
    }

    window.modelsHub = {
        storage: { get: get, set: set },
        setLanguage: setLanguage,
        prefersDark: function () { return !!(window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches); },
        preferredLanguages: function () { return navigator.languages ? Array.prototype.slice.call(navigator.languages) : [navigator.language]; },
        loadScript: function (src) {
            return new Promise(function (resolve, reject) {
                var s = document.createElement('script');
                s.src = src; s.onload = function () { resolve(); }; s.onerror = function () { reject(new Error('Could not load ' + src)); };
                document.head.appendChild(s);
            });
        },
        // Puts text on the clipboard; false when the browser refuses (no permission, not a secure context).
        copy: function (text) {
            if (!navigator.clipboard || !navigator.clipboard.writeText) return Promise.resolve(false);
            return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return false; });
        },
        focus: function (selector) {
            var el = document.querySelector(selector);
            if (el && el.focus) el.focus();
        },
        // Keeps the File the user picked (input or drop) under a key, so chunks can be sent after more C# work.
        holdFile: function (inputId, key) {
            var file = fileOf(inputId);
            if (!file) return null;
            files[key] = file;
            return { name: file.name, size: file.size, type: file.type || '', lastModified: file.lastModified };
        },
        releaseFile: function (key) { delete files[key]; },
        // PUT one chunk (Blob Storage's Put Block, or the hub's mirror of it); resolves with the status, 0 on a network error.
        putChunk: function (key, url, start, end) {
            var file = files[key];
            if (!file) return Promise.resolve(-1);
            return fetch(url, {
                method: 'PUT',
                body: file.slice(start, end),
                headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2023-11-03' },
                credentials: 'omit',
                cache: 'no-store'
            }).then(function (r) { return r.status; }, function () { return 0; });
        },
        // A download that needs the bearer token: fetched, then handed to the browser as a file.
        download: function (url, token, fileName) {
            var headers = token ? { 'Authorization': 'Bearer ' + token } : {};
            return fetch(url, { headers: headers }).then(function (r) {
                if (!r.ok) return r.status;
                return r.blob().then(function (blob) {
                    var a = document.createElement('a');
                    a.href = URL.createObjectURL(blob);
                    a.download = fileName;
                    document.body.appendChild(a);
                    a.click();
                    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
                    return r.status;
                });
            }, function () { return 0; });
        }
    };
})();
