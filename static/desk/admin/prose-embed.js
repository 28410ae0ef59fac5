// The body editor's node for an embed's facade: the `<figure class="embed">` that
// newsroom/markup/sanitize.py makes of a YouTube, Vimeo, X or Instagram iframe. Without this
// node the editor knows no such figure and drops it, so opening and saving a story would lose
// the embed.
//
// The node is one block that cannot be edited inside: it can be selected, deleted and dragged
// elsewhere, and it writes back exactly the attributes and link it read. In the editor it shows
// "Embedded YouTube video: <link>" and fetches nothing. The sanitiser checks every value again
// on save: this is a convenience, not a security boundary.
//
// django-prose-editor's "configurable" preset imports this module (settings.py,
// DJANGO_PROSE_EDITOR_EXTENSIONS) and enables the `Embed` export that forms.BODY_EXTENSIONS names.
import { Node } from "django-prose-editor/editor";

// The facade's attributes in the order sanitize.py writes them, each with its node attribute.
const FIGURE_ATTRIBUTES = [
  ["data-embed-provider", "provider"],
  ["data-embed-category", "category"],
  ["data-embed-src", "src"],
  ["data-embed-title", "title"],
];

// What each provider's embed is, for the placeholder's words.
const KINDS = { YouTube: "video", Vimeo: "video", X: "post", Instagram: "post" };

function facadeAttributes(figure) {
  const link = figure.querySelector("a[href]");
  const attrs = {};
  for (const [name, key] of FIGURE_ATTRIBUTES) attrs[key] = figure.getAttribute(name);
  attrs.href = link ? link.getAttribute("href") : null;
  attrs.label = link ? link.textContent : null;
  return attrs;
}

export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  selectable: true,
  draggable: true,

  addAttributes() {
    const plain = { default: null, rendered: false };
    return {
      provider: plain,
      category: plain,
      src: plain,
      title: plain,
      href: plain,
      label: plain,
    };
  },

  parseHTML() {
    return [
      {
        tag: "figure.embed",
        // Above any other figure rule: this figure is read whole, its link included.
        priority: 100,
        getAttrs(figure) {
          const attrs = facadeAttributes(figure);
          // A figure without a provider or player is no facade; its words stay as text.
          return attrs.provider && attrs.src ? attrs : false;
        },
      },
    ];
  },

  renderHTML({ node }) {
    const figure = { class: "embed" };
    for (const [name, key] of FIGURE_ATTRIBUTES) {
      if (node.attrs[key] !== null) figure[name] = node.attrs[key];
    }
    if (node.attrs.href === null) return ["figure", figure];
    return ["figure", figure, ["a", { href: node.attrs.href }, node.attrs.label || ""]];
  },

  addNodeView() {
    return ({ node }) => {
      const dom = document.createElement("div");
      dom.className = "prose-embed";
      dom.contentEditable = "false";
      const kind = KINDS[node.attrs.provider] || "content";
      const words = document.createElement("span");
      words.className = "prose-embed__kind";
      words.textContent = `Embedded ${node.attrs.provider} ${kind}: `;
      dom.append(words);
      if (node.attrs.href) {
        const link = document.createElement("a");
        link.href = node.attrs.href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.textContent = node.attrs.label || node.attrs.href;
        dom.append(link);
      }
      return { dom };
    };
  },
});
