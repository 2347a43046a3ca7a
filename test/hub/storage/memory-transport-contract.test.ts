import { MemoryTransport } from '../../../src/hub/storage/memory-transport.js';
import { describeTransportContract } from './transport-contract.js';

describeTransportContract('MemoryTransport', (options) => new MemoryTransport(options));
