/** Setup file of the Node test project: no tfjs console notices (the cpu backend's tfjs-node banner) in the test log. */
import { quietTfjsNotices } from '../../src/cli/quietTfjsNotices.js';

quietTfjsNotices();
