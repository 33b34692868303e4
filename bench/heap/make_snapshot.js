// Writes a large heap snapshot of the seed's outage for the `leaklint heap`
// benchmark (docs/performance.md, "Heap snapshots"):
//
//   node --max-old-space-size=8192 bench/heap/make_snapshot.js OUT.heapsnapshot [KEYS] [RECORDS]
//
// The leak is the seed's own code (fixtures/examples/seed-leak.js): KEYS calls
// of `setLocalCache`, whose expiry only sets each key to null, so the cache
// keeps every key. Around it, the heap a real service has: RECORDS plain
// objects with nested arrays and strings in a Map keyed by id, class
// instances linked into a list, closures, and byte buffers. These are large
// but steady; one snapshot cannot tell them from a leak (leaklint lists the
// Map and the arrays too, after the cache), two snapshots (--baseline) can.
// The snapshot is not kept in the repository (hundreds of MB). With the
// defaults (2,500,000 keys, 300,000 records) it is about 740 MB and takes
// Node 5 minutes and 8 GB; 800000 100000 gives about 235 MB.
'use strict'
const path = require('path')
const v8 = require('v8')

const out = process.argv[2]
if (!out) {
  console.error('usage: node make_snapshot.js OUT.heapsnapshot [KEYS] [RECORDS]')
  process.exit(2)
}
const KEYS = Number(process.argv[3] || 2500000)
const RECORDS = Number(process.argv[4] || 300000)

// The expiry callbacks run synchronously at the end instead of five seconds later.
const pending = []
globalThis.setTimeout = (fn) => { pending.push(fn) }
const { setLocalCache } = require(path.join(__dirname, '../../fixtures/examples/seed-leak.js'))

// Content that is not a leak: what a service holds in steady state.
class Session {
  constructor(id, user, next) {
    this.id = id
    this.user = user
    this.started = new Date(1700000000000 + id * 1000)
    this.roles = ['reader', id % 7 === 0 ? 'admin' : 'writer']
    this.next = next
  }
}
const records = new Map()
let sessions = null
const handlers = []
for (let i = 0; i < RECORDS; i++) {
  const user = {
    name: 'user-' + i,
    email: 'user' + i + '@example.com',
    tags: ['t' + (i % 13), 't' + (i % 17), 't' + (i % 19)],
    address: { street: i + ' Main Street', city: 'City ' + (i % 100), zip: String(10000 + (i % 90000)) },
  }
  records.set(i, user)
  sessions = new Session(i, user, sessions)
  if (i % 10 === 0) {
    const id = i
    handlers.push(() => records.get(id))
  }
}
const buffers = []
for (let i = 0; i < 2000; i++) buffers.push(Buffer.alloc(1024, i % 256))

// The leak.
for (let i = 0; i < KEYS; i++) setLocalCache('key-' + i, { at: i })
for (const expire of pending.splice(0)) expire()

globalThis.keepAlive = { records, sessions, handlers, buffers }
const file = v8.writeHeapSnapshot(out)
console.log(file)
