// China's administrative divisions (province → city → district) for the address field, from
// @vant/area-data (GB/T 2260 codes with names), shipped in the bundle: nothing is fetched at run
// time. The data (~150 kB) is a chunk of its own, loaded on first use by loadRegions(). Values
// are names, as the address field stores them.

/**
 * The tree of names from Vant's code tables: a city XXYY00 belongs to province XX0000, a district
 * XXYYZZ to city XXYY00. Nodes are {value: name, label: name, children?}, in code order.
 * @param {{province_list: object, city_list: object, county_list: object}} areaList
 */
export function buildRegionTree(areaList) {
  const byCode = new Map();
  const node = (name) => ({ value: name, label: name });
  const sorted = (table) => Object.entries(table ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const roots = [];
  for (const [code, name] of sorted(areaList.province_list)) {
    const n = node(name);
    byCode.set(code, n);
    roots.push(n);
  }
  const attach = (table, parentCode) => {
    for (const [code, name] of sorted(table)) {
      const parent = byCode.get(parentCode(code));
      if (!parent) continue;
      const n = node(name);
      byCode.set(code, n);
      (parent.children ??= []).push(n);
    }
  };
  attach(areaList.city_list, (code) => `${code.slice(0, 2)}0000`);
  attach(areaList.county_list, (code) => `${code.slice(0, 4)}00`);
  return roots;
}

let loading = null;

/** The region tree (loaded once; later calls share the same promise). */
export function loadRegions() {
  loading ??= import('@vant/area-data')
    .then((m) => buildRegionTree(m.areaList))
    .catch((err) => {
      loading = null; // a failed chunk load (e.g. after an upgrade) may be tried again
      throw err;
    });
  return loading;
}
