/**
 * The UTS #39 skeleton of a handle: two handles look alike when their
 * skeletons are equal (`mia` and `міа`, `rn` and `m`). NFD, each character
 * replaced by its prototype from Unicode's confusables.txt (the table comes
 * from the `unhomoglyph` package), NFD again. Shared by the handle service and
 * both adapters, which fill in the skeletons of handles stored before them.
 */
import unhomoglyph from "unhomoglyph";

/** The skeleton of a handle (already normalised; see `normalizeHandle`). */
export function handleSkeleton(handle: string): string {
  return unhomoglyph(handle.normalize("NFD")).normalize("NFD");
}
