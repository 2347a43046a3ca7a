import { MemoryTransport } from '../../../src/hub/storage/memory-transport.js';
import { describeTransportContract } from './transport-contract.js';

describeTransportContract('MemoryTransport', ({ historySize }) => new MemoryTransport({ historySize }));
