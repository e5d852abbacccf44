// 搜索结果的排序（由 docs/site/conf.py 的 html_search_scorer 放进 language_data.js）。
// Sphinx 默认给“标题里有搜索词”的结果同样的分数，同分时按标题的字符顺序排，以“第”开头的章节标题反而排在后面。
// 这里在默认分数上加两项：页面标题本身含有整个搜索词的加 5 分；理论章节（docs/01～09）再加 1 分，
// 这样搜“反向传播”时第 3 章“反向传播算法”排第一，其次是同名的 notebook，再往后是提到它的其他章节。
var Scorer = {
  score: (result) => {
    const [docName, title, , , score] = result;
    const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
    const pageTitle = title.split(" > ")[0];
    let bonus = 0;
    if (query && pageTitle.includes(query)) bonus += 5;
    if (/^docs\/\d\d_/.test(docName)) bonus += 1;
    return score + bonus;
  },
  // 以下与 Sphinx 的默认值相同
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
