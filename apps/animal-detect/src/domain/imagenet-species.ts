/**
 * Which ImageNet-1k classes (the 1000 classes of the ILSVRC 2012 classifiers, in their usual
 * order: sorted WordNet ids) are which COCO animal. ImageNet names breeds and kinds rather
 * than species: 118 dog breeds, five house cats, four bears, 55 kinds of bird. It has one
 * horse (sorrel), three cattle (ox, water buffalo, bison), two sheep (ram, bighorn), three
 * elephants and the zebra, and no giraffe: a classifier of these classes has no say on
 * giraffes. Big cats, wolves and foxes are no COCO cat or dog, so they are left out.
 */
export const IMAGENET_SPECIES: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  // cock .. great grey owl; black grouse .. black swan; white stork .. albatross
  bird: [
    [7, 24],
    [80, 100],
    [127, 146],
  ],
  // tabby, tiger cat, Persian, Siamese, Egyptian cat
  cat: [[281, 285]],
  // Chihuahua .. Mexican hairless
  dog: [[151, 268]],
  // sorrel
  horse: [[339, 339]],
  // ram, bighorn
  sheep: [[348, 349]],
  // ox, water buffalo, bison
  cow: [[345, 347]],
  // tusker; Indian elephant, African elephant
  elephant: [
    [101, 101],
    [385, 386],
  ],
  // brown bear, American black bear, ice bear, sloth bear
  bear: [[294, 297]],
  zebra: [[340, 340]],
};

/** The COCO animals an ImageNet classifier can name (every one but the giraffe). */
export const IMAGENET_COVERED = Object.keys(IMAGENET_SPECIES);

/**
 * The COCO animal an ImageNet classifier cannot rule out: its only horse is the sorrel (a
 * chestnut coat), so it calls grey, white and dark horses ox, ram or a white dog breed.
 */
export const IMAGENET_OVERLOOKS = ['horse'];

/**
 * A classifier's 1000 probabilities summed per COCO animal: how sure it is that the crop shows
 * each species it can name. What is left (1 minus the sum) went to other things (a llama, a
 * parachute, a seashore).
 */
export function speciesMass(probabilities: ArrayLike<number>): Map<string, number> {
  if (probabilities.length !== 1000)
    throw new Error(`expected 1000 ImageNet classes, got ${probabilities.length}`);
  const mass = new Map<string, number>();
  for (const [species, ranges] of Object.entries(IMAGENET_SPECIES)) {
    let sum = 0;
    for (const [from, to] of ranges) for (let k = from; k <= to; k++) sum += probabilities[k] as number;
    mass.set(species, sum);
  }
  return mass;
}
