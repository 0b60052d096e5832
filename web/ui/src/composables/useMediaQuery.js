import { onBeforeUnmount, onMounted, ref } from 'vue';

/** A ref that follows window.matchMedia(query) while the calling component is mounted. */
export function useMediaQuery(query) {
  const mql = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null;
  const matches = ref(mql ? mql.matches : false);
  const update = (event) => {
    matches.value = event.matches;
  };
  onMounted(() => {
    if (!mql) return;
    matches.value = mql.matches;
    mql.addEventListener('change', update);
  });
  onBeforeUnmount(() => mql?.removeEventListener('change', update));
  return matches;
}
