// The B1 task for the peer pools (piscina, tinypool): one tiny function per call.
export default function inc(x) {
  return x + 1;
}
