// Registers modules whose code is evaluated on first use (see runtime/_js/__init__.py):
// `__LAZY_SOURCES` maps a module name to the source of one expression evaluating to its
// exports. The registered object is a stand-in that builds the real module on first touch.
(function (sources) {
  "use strict";
  var indirectEval = eval;
  Object.keys(sources).forEach(function (name) {
    var real = null;
    function load() {
      if (real === null) real = indirectEval(sources[name]);
      return real;
    }
    // Callable (axios is a function) and forwarding every property to the real module.
    var stub = function () { return load().apply(this, arguments); };
    var names = ["request", "get", "delete", "head", "options", "post", "put", "patch", "create",
                 "defaults", "interceptors", "isAxiosError", "AxiosError", "all", "spread"];
    names.forEach(function (prop) {
      Object.defineProperty(stub, prop, { get: function () { return load()[prop]; }, enumerable: true });
    });
    Object.defineProperty(stub, "default", { get: function () { return load(); }, enumerable: false });
    __sandbox.defineModule(name, stub);
  });
})(__LAZY_SOURCES);
