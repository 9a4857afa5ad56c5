// The Jupyter widgets HTML manager (ipywidgets 8) typesets widget labels with the MathJax 2 API,
// `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; the book loads MathJax 3, which has no
// `Hub`, so every widget on a page would throw "Cannot read properties of undefined (reading
// 'Queue')". This deferred script runs after MathJax 3's (and before the widget manager renders,
// on `load`) and maps that one call onto MathJax 3's `typesetPromise`.
(function () {
  var MJ = window.MathJax;
  if (!MJ || MJ.Hub || !MJ.startup) return;
  MJ.Hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset") {
          var el = job[2];
          MJ.startup.promise.then(function () {
            return MJ.typesetPromise(el ? [el] : undefined);
          });
        }
      }
    },
  };
})();
