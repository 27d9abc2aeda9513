// Compiles src/main/solidity/RecordLog.sol with the solc of package.json and prints
// {"abi": ..., "bin": "0x..."}; the build writes it to the class path (ethereum/RecordLog.json).
const fs = require('fs');
const path = require('path');
const solc = require('solc');
const source = fs.readFileSync(path.join(__dirname, 'src/main/solidity/RecordLog.sol'), 'utf8');
const input = {
  language: 'Solidity',
  sources: { 'RecordLog.sol': { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const contract = output.contracts['RecordLog.sol'].RecordLog;
const out = process.argv[2];
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ abi: contract.abi, bin: '0x' + contract.evm.bytecode.object }, null, 2) + '\n');
